"""Offline quality inspections of vocational skill appraisal stations: the core (no Qt here)."""

__version__ = "0.1.0"
