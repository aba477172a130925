"""The wire: the marshmallow schemas of the contract, strict JSON, the records' request shapes."""
