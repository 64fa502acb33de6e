"""The rules of the tasks service, split by resource."""
