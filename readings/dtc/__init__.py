"""What every DTC flow shares, whatever its groups: pure Python, no Django."""
