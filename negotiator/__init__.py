"""negotiator: repayment-plan negotiation calculator for consumer-debt collections."""

__version__ = "0.1.0"
