SELECT outlet_id, name, country, kind, provisional FROM outlets WHERE outlet_id = ?
