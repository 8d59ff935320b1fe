"""The database schema's version numbers, apart from the tables: `status` checks them without
importing SQLAlchemy (store_read.py)."""

# 3: strength_log (done / skip / legs heavy); 4: activity.deleted_at (soft deletions)
SCHEMA_VERSION = 4
# Bump when a mapper (sources/strava_records.py, garmin.py's record_from_garmin, fit.py, the export
# reader) changes what it derives from a stored raw payload: the next `runstrength` command
# re-derives every stored row from its raw payload and extras (store.rederive_all), offline.
# 3: the runner's own rating (RPE, Garmin feel) from every source
# 4: Garmin training effect from a Strava export's FIT files; Garmin durations in ms; moving
#    time never above elapsed
DERIVED_VERSION = 4
