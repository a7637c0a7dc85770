"""Part 1, the toy practical: tell a blob from the ring around it with a small MLP."""
