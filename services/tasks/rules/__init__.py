"""Pure rules of the tasks service: functions of values, no I/O."""
