/* A header; with semicolons; /* and a nested comment; */ still the header */
create table parity_notes (body text); -- trailing; comment
-- a comment between statements;
insert into parity_notes values ('a -- not a comment; ');  /* after; */
-- closing remark; the file ends with a comment
