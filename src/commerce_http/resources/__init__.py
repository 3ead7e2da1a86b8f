"""Resources: one small class per route, each calling one service method."""
