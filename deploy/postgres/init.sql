-- One database per service (the gateway's is created by POSTGRES_DB).
CREATE DATABASE labelops_contributors OWNER labelops;
CREATE DATABASE labelops_vendors OWNER labelops;
CREATE DATABASE labelops_tasks OWNER labelops;
