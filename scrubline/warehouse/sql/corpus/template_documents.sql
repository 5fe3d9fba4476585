-- How many document versions the template line counts hold, per outlet of the list $1.
SELECT outlet_id, count(*) FROM template_state WHERE list_contains($1, outlet_id) GROUP BY 1
