"""The centre's desk: register, roster, plans and dispatch, calendars, results, statistics."""
