// Entry `firebreak/undici`: being built (wave 2).
export {};
