SELECT outlet_id, name, country, kind, language, provisional FROM outlets
