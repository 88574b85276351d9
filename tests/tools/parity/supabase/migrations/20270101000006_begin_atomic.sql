create function parity_add(a integer, b integer) returns integer
language sql immutable
begin atomic
  select a + b;
end;
create procedure parity_fill(n integer)
language sql
BEGIN ATOMIC
  insert into parity_jobs2 values (n);
  insert into parity_jobs2 values (n + 1);
END;
call parity_fill(parity_add(1, 2));
