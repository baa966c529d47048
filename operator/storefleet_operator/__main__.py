"""`python -m storefleet_operator`: run the operator (see main.py)."""

from storefleet_operator.main import main

main()
