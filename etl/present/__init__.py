"""Presentation: labels, charts, tables, images."""
