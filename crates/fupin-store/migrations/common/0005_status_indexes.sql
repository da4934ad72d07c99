-- Household lists filtered by status or monitoring category over a large area (a province's
-- unexited households, a city's monitored ones) read only the matching rows, in the list's order.
CREATE INDEX household_by_status ON household (status, area_code, number);
CREATE INDEX household_by_monitoring ON household (monitoring, area_code, number);
