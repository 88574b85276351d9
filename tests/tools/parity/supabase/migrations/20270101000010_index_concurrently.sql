-- On a large hosted table the only way to add an index without blocking writes.
create index concurrently parity_jobs_atomic_idx on parity_jobs (atomic);
create unique index concurrently if not exists parity_jobs2_x_idx on parity_jobs2 (x);
