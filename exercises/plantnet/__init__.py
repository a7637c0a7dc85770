"""Part 2, the plant species practical: load the images, train a small CNN and evaluate it."""
