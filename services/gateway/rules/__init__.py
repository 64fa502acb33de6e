"""Pure rules of the gateway: functions of values, no I/O."""
