"""The seed's stack as the peer of bench:data: pandas reads the Online Retail CSV, cleans it,
aggregates orders (customer-day) and computes the same per-order features. Prints one JSON line
with the wall time and peak memory. Run with Debian's python3 (python3-pandas)."""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

start = time.perf_counter()
df = pd.read_csv(sys.argv[1], dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
df = df[df["CustomerID"].notna() & ~df["InvoiceNo"].str.startswith("C") & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)]
df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"], format="%m/%d/%Y %H:%M", errors="coerce")
df = df[df["InvoiceDate"].notna()]
df["TotalPrice"] = df["Quantity"] * df["UnitPrice"]
df["Day"] = df["InvoiceDate"].dt.normalize()
orders = (
    df.groupby(["CustomerID", "Day"])
    .agg(TotalPrice=("TotalPrice", "sum"), Quantity=("Quantity", "sum"), Lines=("InvoiceNo", "size"), Invoices=("InvoiceNo", "nunique"))
    .reset_index()
    .sort_values(["CustomerID", "Day"])
)
g = orders.groupby("CustomerID")
orders["PrevGapDays"] = g["Day"].diff().dt.days
orders["RollingAvgGap"] = g["PrevGapDays"].transform(lambda s: s.rolling(3, min_periods=1).mean())
orders["MeanGap"] = g["PrevGapDays"].transform(lambda s: s.expanding().mean())
orders["StdGap"] = g["PrevGapDays"].transform(lambda s: s.expanding().std())
orders["OrderCount"] = g.cumcount() + 1
orders["CumulativeTotalPrice"] = g["TotalPrice"].cumsum()
orders["AvgOrderValue"] = orders["CumulativeTotalPrice"] / orders["OrderCount"]
orders["DaysSinceFirstOrder"] = (orders["Day"] - g["Day"].transform("min")).dt.days
orders["year"] = orders["Day"].dt.year
for name, values, period in [("Weekday", orders["Day"].dt.weekday, 7), ("DayOfMonth", orders["Day"].dt.day, 31), ("Month", orders["Day"].dt.month, 12), ("Quarter", orders["Day"].dt.quarter, 4)]:
    orders[name + "Sin"] = np.sin(2 * np.pi * values / period)
    orders[name + "Cos"] = np.cos(2 * np.pi * values / period)
orders["NextGapDays"] = -g["Day"].diff(-1).dt.days
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "orders": len(orders)}))
