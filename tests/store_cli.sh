# store_cli.sh - stats and export (filled in below).
echo "SKIP: not written yet"
exit 77
