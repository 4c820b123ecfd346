"""A query's values as the SQL tests compare them (shared by duckdb.py and spark.py): decimals in
plain notation (never 1E-24), dates as ISO, booleans as true/false, NULL as an empty field."""
import datetime
import decimal


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return str(v)
