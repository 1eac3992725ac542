"""Publishing to Amazon: the publish service, images and their hosting, URL checks, several marketplaces, watching what shoppers see."""
