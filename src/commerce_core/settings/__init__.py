"""Shop settings as data: tax and shipping rates and fraud thresholds that admins change
while the shop runs, read by every checkout from the transactional store."""
