"""Printed documents: the score sheet, the other documents, their parts, style and data."""
