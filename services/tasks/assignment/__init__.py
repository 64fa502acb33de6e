"""The assignment loop: the one declared exception to the service layout (README "The assignment loop")."""
