-- Opens the immutability trigger of events for the rest of this transaction only (maintenance).
-- Parameters: none.
SET LOCAL eventstore.maintenance = 'on';
