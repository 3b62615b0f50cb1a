"""What is where: zoning layers, coordinate handling and spatial facts for project sites."""

STORAGE_CRS = "EPSG:4490"  # CGCS2000 geographic: how layers and sites are kept
