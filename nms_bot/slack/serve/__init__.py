"""The front: what `nms-bot serve` starts (the server, its HTTP routes, the operations endpoints)."""
