"""Driver protocols for the outside systems Comptoir drives, and the sandbox drivers that implement them."""
