create function parity_greet(name text) returns text language plpgsql as $$
begin
  return 'hello; ' || name || $inner$;$inner$;
end;
$$;
do $body$ begin perform parity_greet('x;y'); end $body$;
create function parity_tagged() returns text language sql as $fn$ select 'a;b $$ c' $fn$;
