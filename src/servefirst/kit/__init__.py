"""Small shared pieces every feature uses: money, errors, ids, the clock."""
