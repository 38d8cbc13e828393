"""Personalised documents: handouts and discharge packets for one patient."""
