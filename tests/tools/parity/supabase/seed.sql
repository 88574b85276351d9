insert into parity_jobs (id) values (1), (2);
