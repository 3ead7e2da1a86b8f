"""Cart: lines with price snapshots, coupons and totals."""
