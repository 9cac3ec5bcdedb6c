// Placeholder so the target builds; deleted when the module gets its first real file.
