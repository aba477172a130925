"""Core vocabulary every layer shares: money, dates, errors, limits. Imports nothing of negotiator's."""
