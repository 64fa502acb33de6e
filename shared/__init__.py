"""The LabelOps kit: what every service needs and nothing service-specific."""
