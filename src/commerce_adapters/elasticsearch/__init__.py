"""Elasticsearch: the search index."""
