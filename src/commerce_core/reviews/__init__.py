"""Product reviews: ratings, votes, seller responses, moderation and rating aggregates."""
