import Testing

// Placeholder test file so the target builds; deleted when the target gets its first real test.
