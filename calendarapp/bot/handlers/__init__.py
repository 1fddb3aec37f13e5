"""Bot handlers by feature. Each module exposes `handlers()` -> [(group, handler), ...]."""
