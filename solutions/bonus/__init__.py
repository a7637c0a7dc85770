"""Part 3, bonus material: top-K and average-K accuracy, conformal prediction, stratified K-fold."""
