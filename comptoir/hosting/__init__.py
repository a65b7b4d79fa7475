"""Service plans, add-ons, subscriptions, synchronisation, customers' hosting, IP addresses."""
