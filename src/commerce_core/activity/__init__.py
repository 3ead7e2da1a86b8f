"""What a customer recently viewed and searched for (bounded, newest first)."""
