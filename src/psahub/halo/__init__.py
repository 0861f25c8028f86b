"""Everything about HaloPSA's wire dialect: URLs, auth, rate budget, errors, paging, entities."""
