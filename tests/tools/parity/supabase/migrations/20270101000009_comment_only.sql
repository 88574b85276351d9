-- Nothing to do here; kept for the record.
/* really; nothing */
