// Entry `firebreak/redis`: being built (wave 2).
export {};
