// Entry `firebreak/opentelemetry`: being built (wave 2).
export {};
