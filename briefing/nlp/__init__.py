"""Extraction methods, one small module each; they share one parse per article."""
