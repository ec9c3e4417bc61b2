"""Words for people: calendar dates for plan days, money with a true minus sign, shared by the API's documents."""
